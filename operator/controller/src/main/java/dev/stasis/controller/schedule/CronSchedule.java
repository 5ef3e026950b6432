package dev.stasis.controller.schedule;

import com.cronutils.model.Cron;
import com.cronutils.model.definition.CronDefinition;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Optional;

/**
 * A schedule's cron line read in its time zone, by cron-utils: the UNIX crontab fields (minute,
 * hour, day of month, month, day of week 0-7 with names) plus the macros a CronJob accepts
 * (@yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly). Answers the two questions
 * the schedule asks: the newest run time at or before now, and the next one after it.
 */
final class CronSchedule {
  static final String INVALID_SCHEDULE = "InvalidSchedule";
  static final String UNKNOWN_TIME_ZONE = "UnknownTimeZone";

  private static final CronParser PARSER = new CronParser(definition());

  private final ExecutionTime times;
  private final ZoneId zone;

  private CronSchedule(Cron cron, ZoneId zone) {
    this.times = ExecutionTime.forCron(cron);
    this.zone = zone;
  }

  /** Why a schedule cannot run: a reason for the Ready condition and a message for people. */
  record Problem(String reason, String message) {}

  /** A cron line and a zone read, or why they could not be. */
  record Parsed(CronSchedule schedule, Problem problem) {}

  /** Reads a cron line in a time zone (null or empty: UTC). */
  static Parsed parse(String line, String timeZone) {
    ZoneId zone;
    try {
      zone = timeZone == null || timeZone.isBlank() ? ZoneOffset.UTC : ZoneId.of(timeZone);
    } catch (DateTimeException e) {
      return new Parsed(
          null,
          new Problem(
              UNKNOWN_TIME_ZONE,
              "timeZone "
                  + timeZone
                  + " is not a time zone this operator knows (a tz database name such as"
                  + " Europe/Berlin): "
                  + e.getMessage()));
    }
    try {
      Cron cron = PARSER.parse(line == null ? "" : line.trim());
      cron.validate();
      return new Parsed(new CronSchedule(cron, zone), null);
    } catch (IllegalArgumentException e) {
      return new Parsed(
          null,
          new Problem(
              INVALID_SCHEDULE, "schedule '" + line + "' is not a cron line: " + e.getMessage()));
    }
  }

  /** The newest run time at or before {@code now}. */
  Optional<Instant> latestAtOrBefore(Instant now) {
    return times
        .lastExecution(ZonedDateTime.ofInstant(now.plusSeconds(1), zone))
        .map(ZonedDateTime::toInstant)
        .filter(t -> !t.isAfter(now));
  }

  /** The first run time after {@code now}. */
  Optional<Instant> nextAfter(Instant now) {
    return times.nextExecution(ZonedDateTime.ofInstant(now, zone)).map(ZonedDateTime::toInstant);
  }

  /** UNIX crontab as cron-utils defines it, with the CronJob macros and '?' for a day field. */
  private static CronDefinition definition() {
    return CronDefinitionBuilder.defineCron()
        .withMinutes()
        .withValidRange(0, 59)
        .withStrictRange()
        .and()
        .withHours()
        .withValidRange(0, 23)
        .withStrictRange()
        .and()
        .withDayOfMonth()
        .withValidRange(1, 31)
        .supportsQuestionMark()
        .withStrictRange()
        .and()
        .withMonth()
        .withValidRange(1, 12)
        .withStrictRange()
        .and()
        .withDayOfWeek()
        .withValidRange(0, 7)
        .withMondayDoWValue(1)
        .withIntMapping(7, 0)
        .supportsQuestionMark()
        .withStrictRange()
        .and()
        .withSupportedNicknameYearly()
        .withSupportedNicknameAnnually()
        .withSupportedNicknameMonthly()
        .withSupportedNicknameWeekly()
        .withSupportedNicknameDaily()
        .withSupportedNicknameMidnight()
        .withSupportedNicknameHourly()
        .instance();
  }
}
