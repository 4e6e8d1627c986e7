import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import solid from 'vite-plugin-solid';

// `npm run dev` runs this dev server (hot reload) and the API server side by side; API calls are
// proxied with the Host header kept, so the server's same-origin check sees one origin.
const apiTarget = process.env.API_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`;

export default defineConfig({
  plugins: [
    solid(),
    VitePWA({
      registerType: 'prompt',
      injectRegister: false,
      includeAssets: ['icons/apple-touch-icon.png'],
      manifest: {
        id: '/',
        name: 'TraceTrack',
        short_name: 'TraceTrack',
        description: 'Scan bags into parents and parents onto bills, online or not.',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        orientation: 'any',
        background_color: '#ffffff',
        theme_color: '#0b3d2e',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      workbox: {
        // The app shell: every built script, style, page and icon. The ZXing wasm (~1 MB) is only
        // needed by phones without BarcodeDetector, so it is cached on first use instead.
        globPatterns: ['**/*.{js,css,html,png,webmanifest}'],
        // The password-strength estimator's dictionaries (~1.6 MB) serve only the screens that set a
        // password; handhelds should not download them with the shell.
        globIgnores: ['**/zxcvbn-*.js'],
        navigateFallback: '/index.html',
        // Server files and routes, not app screens: a navigation to them must reach the server.
        navigateFallbackDenylist: [/^\/trpc/, /^\/api\//, /^\/health/, /^\/ready/, /^\/robots\.txt$/],
        clientsClaim: true,
        cleanupOutdatedCaches: true,
        runtimeCaching: [
          {
            urlPattern: ({ url, sameOrigin }) => sameOrigin && url.pathname.endsWith('.wasm'),
            handler: 'CacheFirst',
            options: { cacheName: 'tt-wasm', expiration: { maxEntries: 4 } },
          },
          {
            urlPattern: ({ url, sameOrigin }) => sameOrigin && /\/assets\/zxcvbn-[^/]+\.js$/.test(url.pathname),
            handler: 'CacheFirst',
            options: { cacheName: 'tt-password-strength', expiration: { maxEntries: 8 } },
          },
        ],
      },
      devOptions: { enabled: false },
    }),
  ],
  build: {
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 1300,
    rolldownOptions: {
      output: {
        // Named so the service worker can leave them out of the precache (globIgnores above).
        chunkFileNames: (chunk) =>
          chunk.moduleIds.some((id) => id.includes('/@zxcvbn-ts/')) ? 'assets/zxcvbn-[hash].js' : 'assets/[name]-[hash].js',
      },
    },
  },
  server: {
    host: '0.0.0.0',
    port: 5173,
    proxy: {
      '/trpc': { target: apiTarget, changeOrigin: false },
      '/api': { target: apiTarget, changeOrigin: false },
      '/health': { target: apiTarget, changeOrigin: false },
      '/ready': { target: apiTarget, changeOrigin: false },
    },
  },
});
