// Entry of a load worker thread (load-worker.ts). A worker thread does not inherit the loader
// hooks its parent registered, so it registers tsx itself before it imports the TypeScript.
import { register } from 'tsx/esm/api';

register();
await import('./load-worker.ts');
