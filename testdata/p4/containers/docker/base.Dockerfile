# The base image is chosen by CI: --build-arg BASE_IMAGE=...
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
RUN useradd --uid 10001 app
USER app
