package io.credence.worker;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The worker's layers: {@code jobs} takes Kafka jobs and sends results; {@code jury} takes jury
 * jobs and sends verdicts; {@code exec} runs models (one path for both); {@code model} loads and
 * caches them; {@code lying} is the test/demo switch that changes outputs; {@code signing} holds
 * the key. Running a model knows nothing of Kafka, jobs or juries; only the job and jury paths talk
 * to the broker, and the juror's decision only through its consumer.
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
            "io.credence.worker.jury..",
            "org.apache.kafka..",
            "org.eclipse.microprofile.reactive.messaging..",
            "io.smallrye.reactive.messaging..")
        .check(worker);
  }

  @Test
  void onlyTheJobAndJuryPathsTalkToTheBroker() {
    noClasses()
        .that()
        .resideOutsideOfPackages("io.credence.worker.jobs..", "io.credence.worker.jury..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.apache.kafka..",
            "org.eclipse.microprofile.reactive.messaging..",
            "io.smallrye.reactive.messaging..")
        .check(worker);
  }

  @Test
  void theJurorsDecisionKnowsNothingOfKafka() {
    noClasses()
        .that()
        .resideInAPackage("io.credence.worker.jury..")
        .and()
        .doNotHaveSimpleName("JuryConsumer")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.apache.kafka..",
            "org.eclipse.microprofile.reactive.messaging..",
            "io.smallrye.reactive.messaging..")
        .check(worker);
  }

  @Test
  void lyingChangesOutputsAndNothingElse() {
    noClasses()
        .that()
        .resideInAPackage("io.credence.worker.lying..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.credence.worker.jobs..",
            "io.credence.worker.jury..",
            "io.credence.worker.exec..",
            "io.credence.worker.model..",
            "ai.onnxruntime..")
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
