// Two pages, one build: the web client (index.html → /) and the operator dashboard
// (dashboard.html → /dashboard). Output goes to WebHost/wwwroot, which the WebHost serves and which
// git ignores (built output is never committed).
import { defineConfig } from 'vite';
import { resolve } from 'node:path';

export default defineConfig({
  base: '/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: resolve(__dirname, '../wwwroot'),
    emptyOutDir: true,
    // The CSP allows same-origin scripts only: no inline scripts, no eval, no data: modules.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    rollupOptions: {
      input: {
        app: resolve(__dirname, 'index.html'),
        dashboard: resolve(__dirname, 'dashboard.html'),
      },
    },
  },
  server: {
    // `npm run dev` against a WebHost on :5000.
    proxy: {
      '/api': 'http://127.0.0.1:5000',
      '/hubs': { target: 'http://127.0.0.1:5000', ws: true },
    },
  },
});
