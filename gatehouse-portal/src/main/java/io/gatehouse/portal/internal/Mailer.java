package io.gatehouse.portal.internal;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.MailMessage;
import io.vertx.ext.mail.StartTLSOptions;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the portal's mail (verification and password-reset links) through the SMTP server of an
 * {@code smtp://} or {@code smtps://} URL. Links are secrets: they are never logged.
 */
public final class Mailer {
  private static final Logger LOG = LoggerFactory.getLogger(Mailer.class);

  private final MailClient client;
  private final String from;

  private Mailer(MailClient client, String from) {
    this.client = client;
    this.from = from;
  }

  /** A mailer for {@code smtp} sending as {@code from}. */
  public static Mailer create(Vertx vertx, URI smtp, String from) {
    MailConfig config = new MailConfig().setHostname(smtp.getHost())
        .setPort(smtp.getPort() > 0 ? smtp.getPort() : smtp.getScheme().equals("smtps") ? 465 : 25)
        .setSsl(smtp.getScheme().equals("smtps"))
        .setStarttls(smtp.getScheme().equals("smtps") ? StartTLSOptions.DISABLED : StartTLSOptions.OPTIONAL);
    String info = smtp.getRawUserInfo();
    if (info != null && !info.isEmpty()) {
      int colon = info.indexOf(':');
      config.setUsername(URLDecoder.decode(colon < 0 ? info : info.substring(0, colon), StandardCharsets.UTF_8));
      if (colon >= 0) {
        config.setPassword(URLDecoder.decode(info.substring(colon + 1), StandardCharsets.UTF_8));
      }
    }
    return new Mailer(MailClient.createShared(vertx, config, "gatehouse-portal-" + smtp.getHost()), from);
  }

  /** Sends {@code text} to {@code to}; a failure is logged (without the body) and the returned future fails. */
  public Future<Void> send(String to, String subject, String text) {
    MailMessage message = new MailMessage().setFrom(from).setTo(to).setSubject(subject).setText(text);
    return client.sendMail(message).<Void>mapEmpty().onFailure(e -> LOG.warn("portal mail '{}' could not be sent: {}",
        subject, e.toString()));
  }

  /** Closes the connection pool. */
  public Future<Void> close() {
    return client.close();
  }
}
