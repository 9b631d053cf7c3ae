package io.credence.worker;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The worker's layers: {@code jobs} takes Kafka jobs and sends results; {@code exec} runs models;
 * {@code model} loads and caches them; {@code signing} holds the key. Running a model knows nothing
 * of Kafka, and only the job path talks to the broker.
 */
class WorkerArchitectureTest {
  private static JavaClasses worker;

  @BeforeAll
  static void importClasses() {
    worker =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.credence.worker");
  }

  @Test
  void runningAModelKnowsNothingOfJobsOrKafka() {
    noClasses()
        .that()
        .resideInAnyPackage("io.credence.worker.exec..", "io.credence.worker.model..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.credence.worker.jobs..",
            "org.apache.kafka..",
            "org.eclipse.microprofile.reactive.messaging..",
            "io.smallrye.reactive.messaging..")
        .check(worker);
  }

  @Test
  void onlyTheJobPathTalksToTheBroker() {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.credence.worker.jobs..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.apache.kafka..",
            "org.eclipse.microprofile.reactive.messaging..",
            "io.smallrye.reactive.messaging..")
        .check(worker);
  }

  @Test
  void modelsAreLoadedOnlyWhereTheyAreRunOrStored() {
    noClasses()
        .that()
        .resideOutsideOfPackages(
            "io.credence.worker.exec..", "io.credence.worker.model..", "io.credence.worker.jobs..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("ai.onnxruntime..")
        .check(worker);
  }
}
