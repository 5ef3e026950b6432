package dev.stasis.agent;

import picocli.CommandLine;

/**
 * Mounts the storage module's commands (cp, ls, verify, rm, in dev.stasis.storage.cli) under the
 * top command. They are looked up by name so that the agent builds against a storage module that
 * does not ship one of them; every one present is mounted.
 */
final class StorageCommands {
  static final String[] COMMANDS = {
    "dev.stasis.storage.cli.CpCommand",
    "dev.stasis.storage.cli.LsCommand",
    "dev.stasis.storage.cli.VerifyCommand",
    "dev.stasis.storage.cli.RmCommand"
  };

  private StorageCommands() {}

  static void register(CommandLine cl) {
    for (String name : COMMANDS) {
      Class<?> c;
      try {
        c = Class.forName(name);
      } catch (ClassNotFoundException e) {
        continue;
      }
      cl.addSubcommand(new CommandLine(c, CommandLine.defaultFactory()));
    }
  }
}
