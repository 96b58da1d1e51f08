// Modules the lab's Vite plugins make at build time.
declare module 'virtual:mnist-digits' {
  /** URL of the digits file (digits-file.ts), emitted with the build. */
  const url: string;
  export default url;
}
