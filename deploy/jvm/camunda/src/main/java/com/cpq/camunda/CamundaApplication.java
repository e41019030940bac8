package com.cpq.camunda;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * Camunda 7 CE engine with REST API (/engine-rest) and webapps (/camunda/app/).
 * All configuration lives in application.yaml; see deploy/jvm/README.md.
 */
@SpringBootApplication
public class CamundaApplication {
  public static void main(String[] args) {
    SpringApplication.run(CamundaApplication.class, args);
  }
}
