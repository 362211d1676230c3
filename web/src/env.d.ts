// Vite's CSS side-effect imports.
declare module '*.css';
// Vite's inline worker imports (the self-contained page's workers).
declare module '*?worker&inline' {
  const WorkerConstructor: new (options?: { name?: string }) => Worker;
  export default WorkerConstructor;
}
