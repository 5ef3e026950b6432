package dev.stasis.controller.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class CronScheduleTest {
  static final Instant NOW = Instant.parse("2026-03-28T10:17:30Z");

  static CronSchedule cron(String line, String zone) {
    CronSchedule.Parsed parsed = CronSchedule.parse(line, zone);
    assertThat(parsed.problem()).as(line).isNull();
    return parsed.schedule();
  }

  @Test
  void readsUnixCronLinesAndTheCronJobMacros() {
    assertThat(cron("*/15 * * * *", null).nextAfter(NOW))
        .contains(Instant.parse("2026-03-28T10:30:00Z"));
    assertThat(cron("*/15 * * * *", null).latestAtOrBefore(NOW))
        .contains(Instant.parse("2026-03-28T10:15:00Z"));
    assertThat(cron("@hourly", null).nextAfter(NOW))
        .contains(Instant.parse("2026-03-28T11:00:00Z"));
    assertThat(cron("@daily", "UTC").nextAfter(NOW))
        .contains(Instant.parse("2026-03-29T00:00:00Z"));
    assertThat(cron("@midnight", "").nextAfter(NOW))
        .contains(Instant.parse("2026-03-29T00:00:00Z"));
    // 2026-03-28 is a Saturday: Sunday 0 and 7 are the same day; names work.
    assertThat(cron("0 3 * * 0", null).nextAfter(NOW))
        .contains(Instant.parse("2026-03-29T03:00:00Z"));
    assertThat(cron("0 3 * * 7", null).nextAfter(NOW))
        .contains(Instant.parse("2026-03-29T03:00:00Z"));
    assertThat(cron("0 3 * * SUN", null).nextAfter(NOW))
        .contains(Instant.parse("2026-03-29T03:00:00Z"));
    assertThat(cron("0 0 1 JAN ?", null).nextAfter(NOW))
        .contains(Instant.parse("2027-01-01T00:00:00Z"));
    assertThat(cron("@weekly", null).nextAfter(NOW))
        .contains(Instant.parse("2026-03-29T00:00:00Z"));
    assertThat(cron("@monthly", null).nextAfter(NOW))
        .contains(Instant.parse("2026-04-01T00:00:00Z"));
    assertThat(cron("@yearly", null).nextAfter(NOW))
        .contains(Instant.parse("2027-01-01T00:00:00Z"));
    assertThat(cron("@annually", null).nextAfter(NOW))
        .contains(Instant.parse("2027-01-01T00:00:00Z"));
  }

  @Test
  void aRunTimeExactlyNowIsTheLatest() {
    assertThat(cron("0 * * * *", null).latestAtOrBefore(Instant.parse("2026-03-28T10:00:00Z")))
        .contains(Instant.parse("2026-03-28T10:00:00Z"));
  }

  @Test
  void theTimeZoneFollowsDaylightSavingTime() {
    // Berlin moves to summer time on 2026-03-29: noon is 11:00 UTC before, 10:00 after.
    CronSchedule berlin = cron("0 12 * * *", "Europe/Berlin");
    assertThat(berlin.nextAfter(NOW)).contains(Instant.parse("2026-03-28T11:00:00Z"));
    assertThat(berlin.nextAfter(Instant.parse("2026-03-28T12:00:00Z")))
        .contains(Instant.parse("2026-03-29T10:00:00Z"));
  }

  @Test
  void anUnknownZoneOrALineCronCannotReadIsAProblemWithItsReason() {
    CronSchedule.Parsed zone = CronSchedule.parse("0 * * * *", "Mars/Olympus_Mons");
    assertThat(zone.problem().reason()).isEqualTo("UnknownTimeZone");
    assertThat(zone.problem().message()).contains("Mars/Olympus_Mons");
    // 30-10 passes the CRD's pattern (a range of two minutes) but is no range.
    for (String line :
        new String[] {"30-10 * * * *", "61 * * * *", "* * * *", "@reboot", "0 0 * * * *", "x"}) {
      CronSchedule.Parsed bad = CronSchedule.parse(line, null);
      assertThat(bad.problem()).as(line).isNotNull();
      assertThat(bad.problem().reason()).isEqualTo("InvalidSchedule");
      assertThat(bad.problem().message()).startsWith("schedule '" + line + "' is not a cron line");
    }
  }
}
