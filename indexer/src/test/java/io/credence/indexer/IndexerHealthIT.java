package io.credence.indexer;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;

import io.credence.testkit.quarkus.AnvilResource;
import io.credence.testkit.quarkus.PostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** The indexer starts against real dependencies and reports each one in its readiness. */
@QuarkusTest
@WithTestResource(AnvilResource.class)
@WithTestResource(PostgresResource.class)
class IndexerHealthIT {

  @Test
  void readyWithOneCheckPerDependency() {
    given()
        .when()
        .get("/q/health/ready")
        .then()
        .statusCode(200)
        .body("status", is("UP"))
        .body("checks.name", hasItems("chain", "Database connections health check"))
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
        .body(containsString("jvm_memory_used_bytes"));
    given()
        .when()
        .get("/q/openapi")
        .then()
        .statusCode(200)
        .body(containsString("Credence Indexer"));
  }
}
