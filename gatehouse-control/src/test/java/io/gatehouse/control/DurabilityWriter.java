package io.gatehouse.control;

import io.gatehouse.model.GatewayConfig;
import io.gatehouse.model.NamedValueDef;
import java.nio.file.Path;
import java.util.List;

/** Child-process main for {@link DurabilityTest}: commits revisions forever, printing each acknowledged id. */
public final class DurabilityWriter {
  private DurabilityWriter() {}

  /** The configuration committed as revision number {@code i}. */
  static GatewayConfig config(long i) {
    return GatewayConfig.EMPTY.withNamedValues(List.of(new NamedValueDef("counter", Long.toString(i))));
  }

  public static void main(String[] args) {
    SqliteConfigStore store = SqliteConfigStore.open(Path.of(args[0]));
    for (long i = 1; ; i++) {
      Revision r = store.commit(config(i), "writer", "commit " + i);
      System.out.println("ACK " + r.id());
      System.out.flush();
    }
  }
}
