# syntax=docker/dockerfile:1.7
# Images of the Credence services, built from the repository (used by docker-compose.yml).
#   docker build --target worker|relayer|indexer|deploy .
FROM eclipse-temurin:21-jdk AS build
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN ./mvnw -B -ntp -DskipTests -pl inference-worker,relayer,indexer,localnet -am install

FROM eclipse-temurin:21-jre AS runtime
RUN useradd --system --uid 10001 credence
WORKDIR /app
# the deploy step writes the contracts' addresses (and the local keys) here; services wait for it
COPY <<'SH' /app/start.sh
#!/bin/sh
set -e
while [ ! -f /deployments/credence.env ]; do echo "waiting for the deploy step"; sleep 2; done
set -a; . /deployments/credence.env; set +a
exec java $JAVA_OPTS -jar /app/quarkus-app/quarkus-run.jar
SH
RUN chmod 755 /app/start.sh

FROM runtime AS worker
COPY --from=build /src/inference-worker/target/quarkus-app /app/quarkus-app
COPY models/demo /models
ENV CREDENCE_WORKER_MODELS_FILE_ROOT=/models CREDENCE_WORKER_MODELS_CACHE_DIR=/tmp/models CREDENCE_WORKER_RESULTS_DIR=/tmp/results \
    JAVA_OPTS="--enable-native-access=ALL-UNNAMED --add-opens java.base/java.lang=ALL-UNNAMED"
USER credence
EXPOSE 8083
ENTRYPOINT ["/app/start.sh"]

FROM runtime AS relayer
COPY --from=build /src/relayer/target/quarkus-app /app/quarkus-app
USER credence
EXPOSE 8081
ENTRYPOINT ["/app/start.sh"]

FROM runtime AS indexer
COPY --from=build /src/indexer/target/quarkus-app /app/quarkus-app
# the demo model's card, to label inputs and outputs in the explorer
COPY models/demo /models
ENV CREDENCE_INDEXER_MODEL_FILES=/models
USER credence
EXPOSE 8082
ENTRYPOINT ["/app/start.sh"]

# The deploy step needs no checkout: localnet's classes and runtime libraries (no test library:
# the build's enforcer rule checks it) and the demo model it registers.
FROM eclipse-temurin:21-jre AS deploy
WORKDIR /app
COPY --from=build /src/localnet/target/classes /app/classes
COPY --from=build /src/localnet/target/lib /app/lib
COPY models/demo /app/models/demo
ENV CREDENCE_DEMO_MODELS=/app/models/demo
ENTRYPOINT ["java", "-Dslf4j.internal.verbosity=ERROR", "-cp", "/app/classes:/app/lib/*", "io.credence.localnet.Launcher", "deploy"]
