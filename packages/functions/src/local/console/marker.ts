/**
 * In every console response and in the console page (packages/web/console/index.html): the stack
 * tests look for it in the deployed Lambda bundle and the deployed site, where it must never be.
 */
export const CONSOLE_MARKER = "notes-local-console";
