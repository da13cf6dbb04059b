#!/usr/bin/env bash
# Records the README's terminal demo: halo-data run (twice), doctor and a query, typed into a
# real terminal (tmux) so the output is what an operator sees, then the pane's text is saved
# to docs/demo.txt. Needs tmux and a build (npm run build). Usage: bash scripts/record-demo.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/halo-demo-XXXXXX)
sock="halo-demo-$$"
trap 'tmux -L "$sock" kill-server 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/.halo-data/inbox/merchants/M0101" "$work/.halo-data/inbox/merchants/M0103" "$work/.halo-data/inbox/hospitals"
cp "$root/fixtures/inventory/clean-comma.csv" "$work/.halo-data/inbox/merchants/M0101/"
cp "$root/fixtures/inventory/binary-renamed.csv" "$work/.halo-data/inbox/merchants/M0103/"
cp "$root/fixtures/claims-pdf/rs-harapan-sehat-1.pdf" "$work/.halo-data/inbox/hospitals/"
for f in $(find "$work/.halo-data/inbox" -type f); do touch "$f.done"; done
mkdir -p "$work/bin" && printf '#!/bin/sh\nexec node %s/bin/halo-data.js "$@"\n' "$root" > "$work/bin/halo-data" && chmod +x "$work/bin/halo-data"
tmux -L "$sock" new-session -d -x 150 -y 200 -c "$work" "env -i HOME=$HOME TERM=xterm-256color NO_COLOR=1 PATH=$work/bin:/usr/bin:/bin HALO_DATA_MEMBER_KEY=$(head -c 36 /dev/urandom | base64) PS1='$ ' bash --norc --noprofile"
type() { tmux -L "$sock" send-keys "$1" Enter; }
wait_idle() { # until the prompt is back (the last line is '$ ')
  for _ in $(seq 1 600); do
    if tmux -L "$sock" capture-pane -p | grep -v '^$' | tail -1 | grep -qx '\$ *'; then return; fi
    sleep 0.1
  done
}
wait_idle
for cmd in 'halo-data run' 'halo-data run' 'halo-data doctor' \
  "halo-data warehouse query 'SELECT merchant_id, COUNT(*) AS products FROM halo.dim_product GROUP BY 1'"; do
  type "$cmd"; sleep 0.3; wait_idle
done
mkdir -p "$root/docs"
tmux -L "$sock" capture-pane -p -S - | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' | sed "s#$work#/srv/halo#g" > "$root/docs/demo.txt"
echo "wrote docs/demo.txt ($(wc -l < "$root/docs/demo.txt") lines)"
