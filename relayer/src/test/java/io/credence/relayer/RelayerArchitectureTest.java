package io.credence.relayer;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import io.credence.protocol.service.FollowLoop;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The relayer's layering as a test: a change that breaks it fails the build with the offending
 * dependency.
 */
class RelayerArchitectureTest {
  private static JavaClasses relayer;

  @BeforeAll
  static void load() {
    relayer =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.credence.relayer");
  }

  @Test
  void onlyStoreClassesTouchTheDatabase() {
    ArchRule rule =
        noClasses()
            .that()
            .resideOutsideOfPackage("io.credence.relayer.store..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("java.sql..", "javax.sql..", "io.credence.protocol.store..")
            .orShould()
            .dependOnClassesThat()
            .haveFullyQualifiedName("io.credence.relayer.store.Db")
            .because("SQL lives in one store class per table (docs/relayer.md)");
    rule.check(relayer);
  }

  @Test
  void theApiReachesNeitherTheChainNorSettlementNorResultIntake() {
    ArchRule rule =
        noClasses()
            .that()
            .resideInAPackage("io.credence.relayer.api..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                "io.credence.relayer.chain..",
                "io.credence.relayer.settle..",
                "io.credence.relayer.results..")
            .because(
                "the HTTP API reads stores and asks the engine and the dispatcher; it never signs, sends or follows");
    rule.check(relayer);
  }

  @Test
  void storesDependOnNoServiceLayerAbove() {
    ArchRule rule =
        noClasses()
            .that()
            .resideInAPackage("io.credence.relayer.store..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                "io.credence.relayer.api..",
                "io.credence.relayer.chain..",
                "io.credence.relayer.court..",
                "io.credence.relayer.dispatch..",
                "io.credence.relayer.results..",
                "io.credence.relayer.settle..")
            .because("stores only store: resource -> service -> store");
    rule.check(relayer);
  }

  @Test
  void theModelDependsOnNothingElseOfTheRelayer() {
    noClasses()
        .that()
        .resideInAPackage("io.credence.relayer.model..")
        .should()
        .dependOnClassesThat()
        .resideOutsideOfPackages("io.credence.relayer.model..", "java..")
        .check(relayer);
  }

  @Test
  void theLoopIsProtocolsFollowLoopAndNoClassStartsItsOwnThreads() {
    classes()
        .that()
        .haveFullyQualifiedName(Engine.class.getName())
        .should()
        .dependOnClassesThat()
        .haveFullyQualifiedName(FollowLoop.class.getName())
        .check(relayer);
    noClasses()
        .should()
        .dependOnClassesThat()
        .belongToAnyOf(
            Thread.Builder.class,
            Thread.Builder.OfPlatform.class,
            Thread.Builder.OfVirtual.class,
            Executors.class)
        .orShould()
        .callConstructor(Thread.class, Runnable.class)
        .orShould()
        .callConstructor(Thread.class, Runnable.class, String.class)
        .because(
            "one thread does the relayer's rounds (io.credence.protocol.service.FollowLoop), so they never race for a request or a nonce")
        .check(relayer);
  }
}
