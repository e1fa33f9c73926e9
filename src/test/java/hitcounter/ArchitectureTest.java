package hitcounter;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package layers of docs/architecture.md, checked on the compiled main classes. A layer may
 * use the layers below it, never one above; packages of one layer do not use each other unless
 * listed here; there is no cycle anywhere; nothing uses the root package (Main and the wiring).
 */
class ArchitectureTest {
  private static JavaClasses main;

  @BeforeAll
  static void importMain() {
    main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("hitcounter");
  }

  static final ArchRule LAYERS = layeredArchitecture()
      .consideringOnlyDependenciesInLayers()
      .layer("Wiring").definedBy("hitcounter")
      .layer("Audiences").definedBy("hitcounter.api..", "hitcounter.web..", "hitcounter.embed..")
      .layer("Edges").definedBy("hitcounter.ingest..", "hitcounter.discovery..")
      .layer("Health").definedBy("hitcounter.health..")
      .layer("Counting").definedBy("hitcounter.count..", "hitcounter.replicate..")
      .layer("Records").definedBy("hitcounter.config..", "hitcounter.audit..")
      .layer("Store").definedBy("hitcounter.store..")
      .layer("Page").definedBy("hitcounter.page..")
      .layer("Infra").definedBy("hitcounter.infra..")
      .layer("Tools").definedBy("hitcounter.tools..")
      .whereLayer("Wiring").mayNotBeAccessedByAnyLayer()
      .whereLayer("Audiences").mayOnlyBeAccessedByLayers("Wiring")
      .whereLayer("Edges").mayOnlyBeAccessedByLayers("Wiring", "Audiences", "Tools")
      .whereLayer("Health").mayOnlyBeAccessedByLayers("Wiring", "Audiences", "Edges")
      .whereLayer("Counting").mayOnlyBeAccessedByLayers("Wiring", "Audiences", "Edges", "Health")
      .whereLayer("Records").mayOnlyBeAccessedByLayers("Wiring", "Audiences", "Edges", "Health", "Counting")
      .whereLayer("Store").mayOnlyBeAccessedByLayers("Wiring", "Audiences", "Edges", "Health", "Counting", "Records", "Tools")
      .whereLayer("Page").mayOnlyBeAccessedByLayers("Wiring", "Audiences", "Edges", "Health", "Counting", "Records", "Store", "Tools")
      .whereLayer("Infra").mayOnlyBeAccessedByLayers("Wiring", "Audiences", "Edges", "Health", "Counting", "Records", "Store", "Page", "Tools")
      .whereLayer("Tools").mayNotBeAccessedByAnyLayer();

  /** The three audiences are separate rooms: each reaches the domain, never another audience. */
  static final ArchRule AUDIENCES_APART = slices().matching("hitcounter.(api|web|embed)..").should().notDependOnEachOther();

  static final ArchRule NO_CYCLES = slices().matching("hitcounter.(*)..").should().beFreeOfCycles();

  static final ArchRule NOTHING_USES_THE_ROOT = noClasses().that().resideOutsideOfPackage("hitcounter")
      .should().dependOnClassesThat().resideInAPackage("hitcounter");

  /** Config keys are read by Settings classes (and the live settings), nowhere else. */
  static final ArchRule CONFIG_READ_BY_SETTINGS = noClasses()
      .that().haveSimpleNameNotEndingWith("Settings").and().doNotHaveSimpleName("LiveSettings")
      .and().resideOutsideOfPackage("hitcounter.tools..")
      .should().callMethodWhere(com.tngtech.archunit.core.domain.JavaCall.Predicates.target(
          com.tngtech.archunit.core.domain.properties.HasOwner.Predicates.With.owner(
              com.tngtech.archunit.core.domain.JavaClass.Predicates.assignableTo(com.typesafe.config.Config.class))))
      .because("settings are read into typed Settings records, once");

  static final ArchRule PROTOCOLS_SEALED = classes().that().haveSimpleName("Command").and().areInterfaces()
      .should(new com.tngtech.archunit.lang.ArchCondition<>("be sealed") {
        @Override
        public void check(com.tngtech.archunit.core.domain.JavaClass item, com.tngtech.archunit.lang.ConditionEvents events) {
          boolean sealed = item.reflect().isSealed();
          events.add(new com.tngtech.archunit.lang.SimpleConditionEvent(item, sealed, item.getName() + (sealed ? " is sealed" : " is not sealed")));
        }
      });

  @Test
  void layersOnlyLookDown() {
    LAYERS.check(main);
  }

  @Test
  void audiencesDoNotUseEachOther() {
    AUDIENCES_APART.check(main);
  }

  @Test
  void noPackageCycles() {
    NO_CYCLES.check(main);
  }

  @Test
  void nothingDependsOnTheRootPackage() {
    NOTHING_USES_THE_ROOT.check(main);
  }

  @Test
  void configIsReadOnlyBySettingsClasses() {
    CONFIG_READ_BY_SETTINGS.check(main);
  }

  @Test
  void actorProtocolsAreSealed() {
    PROTOCOLS_SEALED.check(main);
  }
}
