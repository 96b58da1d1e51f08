// The native backend under Node: `@tensorflow/tfjs-node`, an optional dependency (its install
// downloads libtensorflow, which fails where that host is unreachable, and then the package or
// its binding is absent and `auto` takes wasm). Imported for its effect by the CLI and the
// worker threads; the core (engine/backend.ts) knows no package that only Node has.
import { provideNativeBackend } from '../engine/backend.js';

// A name in a variable: the optional package need not be installed for this to compile.
const moduleName = '@tensorflow/tfjs-node';
provideNativeBackend(() => import(moduleName));
