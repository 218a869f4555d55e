# givre for docker-compose.yml. On Debian servers, prefer the Ansible role
# in deploy/ansible and the systemd units in contrib/systemd.
FROM node:20-bookworm-slim AS build
WORKDIR /src
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /opt/givre
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
COPY policies ./policies
COPY manifests ./manifests
ENTRYPOINT ["node", "/opt/givre/dist/cli/main.js"]
