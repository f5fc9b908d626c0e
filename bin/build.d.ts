// Types of bin/build.js, for the test of its staleness check.
export declare const STAMP: string;
export declare function newestInput(root: string): { file: string; mtimeMs: number };
export declare function buildNeeded(root: string): string | null;
export declare function build(root: string): boolean;
