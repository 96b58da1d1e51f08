// The package root lives with the run layer (which reads the shipped bases from it); the CLI
// keeps importing it from here.
export { packageRoot, packageVersionOfTraitlab } from '../run/package-root.js';
