package io.gatehouse.server.internal;

import io.gatehouse.control.debugging.DebugSessionTable;
import io.gatehouse.gateway.debug.DebugSessions;
import io.gatehouse.model.ConfigMapper;
import java.util.List;

/**
 * Debug sessions across a cluster: the gateway of a server honours every live session of the
 * database (by token hash), and files each trace it records there under this server's name.
 */
final class DebugWiring {
  private DebugWiring() {}

  /** Makes {@code gateway} follow {@code table}'s sessions and file its traces there as {@code node}. */
  static void install(DebugSessions gateway, DebugSessionTable table, String node) {
    Runnable share = () -> gateway.share(shared(table.active()));
    table.onChange(share);
    share.run();
    gateway.onRecorded((id, trace) -> table.recordLater(id, node, ConfigMapper.json().valueToTree(trace)));
  }

  /** The gateway's form of {@code sessions}. */
  static List<DebugSessions.Shared> shared(List<DebugSessionTable.Session> sessions) {
    return sessions.stream()
        .map(s -> new DebugSessions.Shared(s.id(), s.tokenHash(), s.api(), s.expiresAt()))
        .toList();
  }
}
