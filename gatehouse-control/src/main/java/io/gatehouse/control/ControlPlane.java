package io.gatehouse.control;

import static java.util.Objects.requireNonNull;

import io.gatehouse.model.ConfigException;
import io.gatehouse.model.ConfigProblem;
import io.gatehouse.model.GatewayConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way configuration changes in this process: commits go through a {@link ConfigStore}
 * one at a time, and every commit that creates a revision is announced to the listeners.
 *
 * <p>Reads ({@link #config()}, {@link #revision()}) are answered from memory and never block.
 * Writes block on the store: call them off the event loop. Listeners run on the committing
 * thread, in revision order, while the commit lock is held; keep them short.
 */
public final class ControlPlane {
  private static final Logger LOG = LoggerFactory.getLogger(ControlPlane.class);

  private final ConfigStore store;
  private final Object lock = new Object();
  private final List<Consumer<Revision>> listeners = new CopyOnWriteArrayList<>();
  private final List<Function<GatewayConfig, List<ConfigProblem>>> validators = new CopyOnWriteArrayList<>();
  private volatile Revision current;
  private volatile String readOnlyReason;

  private ControlPlane(ConfigStore store) {
    this.store = requireNonNull(store, "store");
    this.current = store.current();
  }

  /** A control plane over {@code store}, starting from its current revision. */
  public static ControlPlane over(ConfigStore store) {
    return new ControlPlane(store);
  }

  /** The store. */
  public ConfigStore store() {
    return store;
  }

  /** The current configuration (normalized). */
  public GatewayConfig config() {
    return current.config();
  }

  /** The current revision; revision 0 with the empty configuration before the first commit. */
  public Revision revision() {
    return current;
  }

  /**
   * Commits {@code config}; the source is {@code file} when the plane is read-only (the file
   * watcher is the only writer then) and {@code api} otherwise.
   *
   * @return the new revision, or the current one when {@code config} equals it
   * @throws ConfigException listing every problem when the configuration is invalid
   */
  public Revision apply(GatewayConfig config, String author, String message) {
    return apply(config, author, message, readOnlyReason == null ? "api" : "file");
  }

  /** Like {@link #apply(GatewayConfig, String, String)} with an explicit source. */
  public Revision apply(GatewayConfig config, String author, String message, String source) {
    requireNonNull(config, "config");
    return commit(() -> store.commit(checked(config), author, message, source));
  }

  /**
   * Commits {@code change} applied to the current configuration, atomically with respect to other
   * commits through this plane (no lost updates).
   *
   * @throws ConfigException when the changed configuration is invalid, or thrown by {@code change}
   */
  public Revision update(UnaryOperator<GatewayConfig> change, String author, String message) {
    return update(change, author, message, "api");
  }

  /**
   * Like {@link #update(UnaryOperator, String, String)} with an explicit source; {@code change}
   * runs under the commit lock, so {@link #revision()} called inside it is the revision it changes.
   *
   * <p>Nothing acknowledged is lost between servers sharing the store: the store's newest revision
   * is adopted first ({@link #adopt}), {@code change} is applied to it, and the result is committed
   * only if that revision is still the newest, checked in the committing transaction
   * ({@link ConfigStore#commitOn}). When another server committed in between, the newest revision is
   * adopted and {@code change} runs again on it, up to {@link #MAX_ATTEMPTS} times; {@code change}
   * must therefore be a function of its argument (an edit, not a whole replacement it computed
   * earlier from an older revision).
   *
   * @throws StaleRevisionException when the configuration changed {@link #MAX_ATTEMPTS} times in a
   *     row while this change was being made
   */
  public Revision update(UnaryOperator<GatewayConfig> change, String author, String message, String source) {
    requireNonNull(change, "change");
    return commit(() -> {
      catchUp();
      for (int attempt = 1; ; attempt++) {
        long base = current.id();
        try {
          return store.commitOn(base, checked(change.apply(current.config())), author, message, source);
        } catch (StaleRevisionException e) {
          if (attempt == MAX_ATTEMPTS) {
            throw e;
          }
          LOG.debug("revision {} was committed while a change based on {} was made; applying it again", e.latest().id(), base);
          if (e.latest().id() > current.id()) {
            announce(e.latest());
          }
        }
      }
    });
  }

  /** How many times {@link #update} applies a change before it gives up on a configuration that keeps changing. */
  public static final int MAX_ATTEMPTS = 50;

  /**
   * Commits {@code change} applied to revision {@code expected}, only if it is the store's newest
   * revision (optimistic concurrency for clients: {@code If-Match}); never applied again on a newer
   * revision.
   *
   * @throws StaleRevisionException when the newest revision is not {@code expected}; nothing is written
   * @throws ConfigException when the changed configuration is invalid, or thrown by {@code change}
   */
  public Revision updateOn(long expected, UnaryOperator<GatewayConfig> change, String author, String message,
      String source) {
    requireNonNull(change, "change");
    return commit(() -> {
      catchUp();
      if (current.id() != expected) {
        throw new StaleRevisionException(expected, current);
      }
      return store.commitOn(expected, checked(change.apply(current.config())), author, message, source);
    });
  }

  private void catchUp() { // with the lock held: another server sharing the store may have committed since
    Revision latest = store.current();
    if (latest.id() > current.id()) {
      announce(latest);
    }
  }

  /**
   * Commits a revision whose content equals revision {@code id} (0: the empty configuration).
   *
   * @throws NoSuchElementException when there is no such revision
   */
  public Revision rollback(long id, String author) {
    return commit(() -> {
      store.get(id).ifPresent(old -> checked(old.config()));
      return store.rollback(id, author);
    });
  }

  /**
   * Serves {@code revision}, committed by another server sharing this plane's store, as if it had
   * been committed here: when it is newer than the current revision it becomes current and is
   * announced to the listeners (under the commit lock, in order with local commits); a revision
   * this plane already serves, or an older one, is ignored, so each revision is announced once.
   *
   * @return whether {@code revision} was announced
   */
  public boolean adopt(Revision revision) {
    requireNonNull(revision, "revision");
    synchronized (lock) {
      if (revision.id() <= current.id()) {
        return false;
      }
      announce(revision);
      return true;
    }
  }

  /** Revisions newest first. */
  public List<RevisionInfo> revisions(int offset, int limit) {
    return store.list(offset, limit);
  }

  /** The revision numbered {@code id}. */
  public Optional<Revision> revision(long id) {
    return id == current.id() ? Optional.of(current) : store.get(id);
  }

  /** The name of the admin token whose hash is {@code tokenHash}; the one authentication lookup. */
  public Optional<String> adminTokenName(String tokenHash) {
    return store.adminTokenName(tokenHash);
  }

  /**
   * Adds a check that every configuration must pass before it is committed, beyond the model's own
   * validation (the server adds the gateway's compile check, so a configuration the gateway cannot
   * serve is refused when applied and the one in force keeps serving).
   */
  public void addValidator(Function<GatewayConfig, List<ConfigProblem>> validator) {
    validators.add(requireNonNull(validator, "validator"));
  }

  /**
   * Checks {@code config} exactly as a commit would (the model's rules, the secret references, the
   * added validators) without committing anything.
   *
   * @throws ConfigException listing every problem when the configuration is invalid
   */
  public void check(GatewayConfig config) {
    checked(requireNonNull(config, "config"));
  }

  private GatewayConfig checked(GatewayConfig input) {
    GatewayConfig config = store.secrets().unseal(input);
    List<ConfigProblem> problems = new ArrayList<>(io.gatehouse.model.ConfigValidator.validate(config));
    if (!problems.isEmpty()) { // the model's own problems first: they name the field, and a compile check would only echo them
      throw new ConfigException(problems);
    }
    problems.addAll(store.secrets().refusedReferences(config));
    for (Function<GatewayConfig, List<ConfigProblem>> v : validators) {
      problems.addAll(v.apply(config));
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return config;
  }

  /** Calls {@code listener} after each commit that creates a revision. */
  public void onChange(Consumer<Revision> listener) {
    listeners.add(requireNonNull(listener, "listener"));
  }

  /**
   * Refuses configuration changes through the management API from now on, answering them with
   * {@code reason} (for example {@code "configuration is managed by file gatehouse.yaml"});
   * {@link #apply} keeps working for the owner of the file.
   */
  public void setReadOnly(String reason) {
    this.readOnlyReason = requireNonNull(reason, "reason");
  }

  /** Why API changes are refused, or empty when they are accepted. */
  public Optional<String> readOnlyReason() {
    return Optional.ofNullable(readOnlyReason);
  }

  private Revision commit(java.util.function.Supplier<Revision> action) {
    synchronized (lock) {
      Revision after = action.get();
      if (after.id() > current.id()) { // not when the action adopted it already, or changed nothing
        announce(after);
      }
      return after;
    }
  }

  private void announce(Revision revision) { // with the lock held
    current = revision;
    for (Consumer<Revision> listener : listeners) {
      try {
        listener.accept(revision);
      } catch (RuntimeException e) {
        LOG.error("configuration listener failed on revision {}", revision.id(), e);
      }
    }
  }
}
