/**
 * @module Registers this folder's components (one explicit list) and re-exports its public API.
 */
export {};
