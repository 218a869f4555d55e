import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import { describe, expect, it } from "vitest";
import { encodeKey, SigV4Signer, UNSIGNED_PAYLOAD } from "../../src/storage/sigv4.js";

const credentials = {
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
};
const now = new Date("2026-12-03T17:01:02Z");
const reference = new SignatureV4({
  service: "s3",
  region: "gra",
  credentials,
  sha256: Sha256,
  uriEscapePath: false,
  applyChecksum: false,
});

describe("SigV4Signer", () => {
  it("signs a PUT exactly as the SDK's signer does, UTF-8 key and metadata included", async () => {
    const path = `/site-archive/${encodeKey("radar/météo ☔/img (1)*.png")}`;
    const payload = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    const headers = {
      host: "127.0.0.1:7480",
      "content-md5": "1B2M2Y8AsgTpgAmY7PhCfg==",
      "content-type": "image/png",
      "x-amz-meta-givre-sha256": payload,
    };
    const ours = { method: "PUT", path, headers: { ...headers } as Record<string, string> };
    new SigV4Signer("gra").signHeaders(ours, payload, credentials, now);

    const request = {
      method: "PUT",
      protocol: "http:",
      hostname: "127.0.0.1",
      port: 7480,
      path,
      query: {},
      headers: { ...headers, "x-amz-content-sha256": payload },
    };
    const signed = await reference.sign(request, { signingDate: now });

    expect(ours.headers.authorization).toBe(signed.headers.authorization);
    expect(ours.headers["x-amz-date"]).toBe("20261203T170102Z");
  });

  it("presigns a GET as the SDK's signer does, with UNSIGNED-PAYLOAD in the query", async () => {
    const path = `/site-archive/${encodeKey("tiles/base/3/2/1.png")}`;
    const query = new SigV4Signer("gra").presignQuery(
      "GET",
      "s3.example.net",
      path,
      credentials,
      900,
      now,
    );

    // The header gives the payload hash; the query carries it as the gateway wants it.
    const headers = { host: "s3.example.net", "x-amz-content-sha256": UNSIGNED_PAYLOAD };
    const request = {
      method: "GET",
      protocol: "https:",
      hostname: "s3.example.net",
      path,
      headers,
      query: { "X-Amz-Content-Sha256": UNSIGNED_PAYLOAD },
    };
    const only = new Set(["x-amz-content-sha256"]);
    const presigned = await reference.presign(request, {
      signingDate: now,
      expiresIn: 900,
      unhoistableHeaders: only,
      unsignableHeaders: only,
    });
    const expected = new URLSearchParams(presigned.query as Record<string, string>);

    const ours = new URLSearchParams(query);
    expect(Object.fromEntries(ours)).toEqual(Object.fromEntries(expected));
    expect(ours.get("X-Amz-Content-Sha256")).toBe("UNSIGNED-PAYLOAD");
    expect(ours.get("X-Amz-SignedHeaders")).toBe("host");
  });

  it("presigns extra query parameters as the SDK's signer does", async () => {
    const path = `/site-archive/${encodeKey("data/.givre/packs/p.tar")}`;
    const extra = { "response-content-type": "image/png" };
    const query = new SigV4Signer("gra").presignQuery(
      "GET",
      "s3.example.net",
      path,
      credentials,
      900,
      now,
      extra,
    );

    const only = new Set(["x-amz-content-sha256"]);
    const presigned = await reference.presign(
      {
        method: "GET",
        protocol: "https:",
        hostname: "s3.example.net",
        path,
        headers: { host: "s3.example.net", "x-amz-content-sha256": UNSIGNED_PAYLOAD },
        query: { "X-Amz-Content-Sha256": UNSIGNED_PAYLOAD, ...extra },
      },
      { signingDate: now, expiresIn: 900, unhoistableHeaders: only, unsignableHeaders: only },
    );
    const expected = new URLSearchParams(presigned.query as Record<string, string>);

    expect(Object.fromEntries(new URLSearchParams(query))).toEqual(Object.fromEntries(expected));
  });
});
