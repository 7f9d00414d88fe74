package bench.scg;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.cloud.gateway.route.builder.RouteLocatorBuilder;
import org.springframework.context.annotation.Bean;

/** One route: /api/** to the backend of BACKEND_URL, with the first path segment stripped. */
@SpringBootApplication
public class ScgPeer {
  public static void main(String[] args) {
    SpringApplication.run(ScgPeer.class, args);
  }

  @Bean
  RouteLocator routes(RouteLocatorBuilder builder, org.springframework.core.env.Environment env) {
    String backend = env.getRequiredProperty("BACKEND_URL");
    return builder.routes()
        .route("backend", r -> r.path("/api/**").filters(f -> f.stripPrefix(1)).uri(backend))
        .build();
  }
}
