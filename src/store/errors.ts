/** A store-level refusal that maps to a 4xx (conflict, not found); its own file so every store file can import it. */
export class StoreError extends Error {
  constructor(
    readonly code: "conflict" | "not-found",
    message: string,
  ) {
    super(message);
  }
}
