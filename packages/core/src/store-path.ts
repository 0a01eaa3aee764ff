/** Where the tracking store lives unless --db says otherwise (relative to the working directory). */
export const DEFAULT_STORE_PATH = 'experiments/ugp.db';
