# The reverse proxy image: nginx from Debian's packages, configured by deploy/nginx.conf (deploy/proxy.sh).
FROM debian:bookworm-slim
COPY deploy/proxy.sh deploy/nginx.conf /deploy/
RUN /deploy/proxy.sh install
EXPOSE 80 443
CMD ["/deploy/proxy.sh", "serve"]
