/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

// The API server the dev server forwards /api to (`npm run dev` only; the production
// build is served by `isocourse serve` on the same origin as the API).
const apiTarget = process.env.ISOCOURSE_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [preact()],
  // Relative asset URLs, so the build works wherever `isocourse serve` mounts it.
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
  },
  server: {
    proxy: { '/api': { target: apiTarget, changeOrigin: false } },
  },
  test: {
    environment: 'jsdom',
    include: ['test/**/*.test.{ts,tsx}'],
    setupFiles: ['test/setup.ts'],
    restoreMocks: true,
  },
});
