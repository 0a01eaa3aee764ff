export declare const WASM_DIR: string;
export declare function assembleWat(name: string, wat: string, shared: boolean): Promise<Uint8Array>;
export declare function assembleAll(): Promise<Array<{ path: string; bytes: Uint8Array }>>;
