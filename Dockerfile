# sluice's container image, for users with Docker or any OCI builder:
#   docker build -t sluice .
#   docker run --rm -v ~/.kube:/home/sluice/.kube:ro sluice apply /plans/app.yaml
# The last stage holds only what scripts/image-rootfs.sh collects (the binary,
# its shared libraries, CA certificates, user 65532; no shell), the same files
# as the image scripts/image.sh builds without a daemon (docs/install.md).

FROM debian:bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends \
      build-essential cmake ninja-build pkg-config git binutils ca-certificates \
      libcli11-dev libcurl4-openssl-dev nlohmann-json3-dev libyaml-cpp-dev libfmt-dev \
      libspdlog-dev libcpp-httplib-dev libssl-dev zlib1g-dev libbrotli-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DSLUICE_TESTS=OFF \
    && cmake --build /build --target sluice \
    && ./scripts/image-rootfs.sh /build/sluice /rootfs

FROM scratch
COPY --from=build /rootfs/ /
USER 65532:65532
ENV HOME=/home/sluice
WORKDIR /home/sluice
ENTRYPOINT ["/usr/bin/sluice"]
CMD ["--help"]
