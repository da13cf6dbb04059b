/**
 * A field normaliser returns the canonical text, null for "no value", or a FieldFail.
 * Failures are rare, so allocating an object for them keeps the common path cheap.
 */
export class FieldFail {
  constructor(
    readonly code: 'type-error' | 'constraint-error' | 'ambiguous-value' | 'required-error',
    /** Message without the value: the caller adds the value only for non-personal fields. */
    readonly message: string,
    /** False: the message never quotes the value, whatever the field (a value too long to show). */
    readonly quoteValue = true,
  ) {}
}

export type FieldResult = string | null | FieldFail;

/** What a loader hands over for one cell. Spreadsheets give numbers and booleans; CSV gives text. */
export type Cell = string | number | boolean | null | undefined;
