-- Uploaded certificates: gateway server certificates (SNI), backend client certificates (mutual TLS)
-- and CA bundles. The private key (PKCS#8 PEM) is a master-key envelope 'v1:KEYID:...', NULL for CA
-- bundles; everything else is public metadata kept in columns so that listing never decrypts.
CREATE TABLE certificates (
  name        VARCHAR(100)  NOT NULL PRIMARY KEY,
  usage       VARCHAR(10)   NOT NULL, -- 'server', 'client' or 'ca'
  chain_pem   TEXT          NOT NULL, -- certificate chain, leaf first (for 'ca': the CA certificates)
  private_key TEXT,
  subject     VARCHAR(2000) NOT NULL,
  issuer      VARCHAR(2000) NOT NULL,
  sans        VARCHAR(4000) NOT NULL, -- subject alternative names, comma-separated
  serial      VARCHAR(100)  NOT NULL, -- hexadecimal
  not_before  BIGINT        NOT NULL, -- epoch milliseconds
  not_after   BIGINT        NOT NULL, -- epoch milliseconds; for 'ca' the earliest of the bundle
  sha256      VARCHAR(64)   NOT NULL, -- SHA-256 of the leaf's DER, lower-case hexadecimal
  chain_count INTEGER       NOT NULL,
  updated_at  BIGINT        NOT NULL,
  updated_by  VARCHAR(200)  NOT NULL
);
