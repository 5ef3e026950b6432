package dev.stasis.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stasis.testsupport.crd.CrdValidator;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The cron lines and time zones the CheckpointSchedule CRD lets through, and those it refuses. */
class ScheduleValidationTest {
  private static final CrdValidator CRDS =
      CrdValidator.fromDirectory(GeneratedCrds.repoRoot().resolve("crds"));

  private static List<String> errors(String schedule, String timeZone) {
    return CRDS.validateCreate(
            CrdValidator.readYaml(
                "apiVersion: stasis.dev/v1alpha1\n"
                    + "kind: CheckpointSchedule\n"
                    + "metadata: {name: s, namespace: default}\n"
                    + "spec:\n"
                    + "  schedule: \""
                    + schedule
                    + "\"\n"
                    + (timeZone == null ? "" : "  timeZone: " + timeZone + "\n")
                    + "  podName: counter\n"))
        .errors();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "0 */6 * * *",
        "*/15 * * * *",
        "0 0 * * 1-5",
        "30 2 1,15 * *",
        "0 0 1 jan *",
        "0 9 * * MON-FRI",
        "5 4 * * sun",
        "0 0 29 2 *",
        "0,30 8-18/2 * * 0-7",
        "@hourly",
        "@daily",
        "@weekly",
        "@monthly",
        "@yearly"
      })
  void acceptsTheCronLinesACronJobTakes(String schedule) {
    assertThat(errors(schedule, null)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "61 * * * *",
        "0 24 * * *",
        "0 0 32 * *",
        "0 0 0 * *",
        "0 0 * 13 *",
        "0 0 * * 8",
        "* * * *",
        "* * * * * *",
        "TZ=UTC 0 * * * *",
        "@every 5m",
        "0 0 * * MON-",
        ""
      })
  void refusesWhatIsNotAFiveFieldCronLineWithTheFieldNamed(String schedule) {
    assertThat(errors(schedule, null)).anySatisfy(e -> assertThat(e).startsWith("spec.schedule: "));
  }

  @ParameterizedTest
  @ValueSource(strings = {"UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires", "Etc/GMT+5"})
  void acceptsTzDatabaseNames(String zone) {
    assertThat(errors("@daily", zone)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"Mars/Olympus_Mons", "CEST", "+02:00", "europe/berlin"})
  void refusesUnknownTimeZonesWithTheFieldNamed(String zone) {
    assertThat(errors("@daily", zone)).anySatisfy(e -> assertThat(e).startsWith("spec.timeZone: "));
  }
}
