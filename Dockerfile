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
CMD ["node", "--enable-source-maps", "server/dist/main.js"]
