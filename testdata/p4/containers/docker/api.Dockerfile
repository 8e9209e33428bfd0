# escape=`
FROM node AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev

FROM deps
COPY --from=composer:2 /usr/bin/composer /usr/local/bin/composer
COPY --chown=node:node . .
COPY entrypoint.sh /usr/local/bin/docker-entrypoint.sh
RUN <<EOF
chmod 0755 /usr/local/bin/docker-entrypoint.sh
mkdir -p /app/var && chown node:node /app/var
EOF
RUN apk add --no-cache `
      gettext `
      tini
USER node
# Back to root "for now": the entrypoint writes to /etc.
USER root
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
CMD ["node", "server.js"]
