package io.credence.worker;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** The worker starts against real dependencies and reports each one in its readiness. */
@QuarkusTest
@WithTestResource(WorkerChainResource.class)
class WorkerHealthIT {

  @Test
  void readyWithOneCheckPerDependency() {
    given()
        .when()
        .get("/q/health/ready")
        .then()
        .statusCode(200)
        .body("status", is("UP"))
        .body(
            "checks.name",
            hasItems(
                "chain", "Kafka connection health check", "worker-registration", "model-store"))
        .body("checks.status", everyItem(is("UP")));
  }

  @Test
  void liveAndServesMetricsAndOpenApi() {
    given().when().get("/q/health/live").then().statusCode(200).body("status", is("UP"));
    given()
        .when()
        .get("/q/metrics")
        .then()
        .statusCode(200)
        .body(containsString("jvm_memory_used_bytes"))
        // which execution provider runs the models: 1 on CUDA, 0 on CPU (no GPU here)
        .body(containsString("credence_worker_cuda 0.0"));
    given()
        .when()
        .get("/q/openapi")
        .then()
        .statusCode(200)
        .body(containsString("Credence Inference worker"));
  }
}
