// Lets TypeScript check the console's .ts modules that import Svelte components (vite compiles them).
declare module '*.svelte' {
  import type { Component } from 'svelte';
  const component: Component<any>;
  export default component;
}
