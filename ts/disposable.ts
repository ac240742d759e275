/**
 * `Symbol.dispose` for the compiler of an app whose `lib` predates it (ES2022 without
 * esnext.disposable, no @types/node): `Network`, `PreparedDataset` and `Trainer` declare a
 * `[Symbol.dispose]()` method (for `using`), and their .d.ts files name the symbol. The same
 * declaration as TypeScript's esnext.disposable and @types/node make, so it merges with theirs.
 * Types only: the package entries re-export nothing from it (`export type {}`), so it costs no byte.
 */
declare global {
  interface SymbolConstructor {
    /** The method `using` calls at the end of its block (TC39 explicit resource management). */
    readonly dispose: unique symbol;
  }
}

export {};
