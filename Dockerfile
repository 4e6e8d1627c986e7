FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json tsconfig.base.json tsconfig.json ./
COPY shared/package.json shared/
COPY db/package.json db/
COPY server/package.json server/
COPY client/package.json client/
RUN npm ci --no-audit --no-fund --include=dev
COPY . .
EXPOSE 3000
RUN npm run build
# A worker's heap is capped so V8 collects before RSS passes 250 MB (server/README.md, "Heap cap").
ENV NODE_OPTIONS="--max-old-space-size=160"
CMD ["node", "--enable-source-maps", "server/dist/main.js"]
