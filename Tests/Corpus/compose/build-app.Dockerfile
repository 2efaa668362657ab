FROM node:20-alpine AS production
WORKDIR /app
COPY . .
CMD ["node", "server.js"]
