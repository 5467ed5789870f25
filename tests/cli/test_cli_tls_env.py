#!/usr/bin/env python3
"""Trust and configuration: certificate verification (wrong CA, wrong host
name, no CA given), --ca-bundle / $AWS_CA_BUNDLE and --endpoint-url /
$AWS_ENDPOINT_URL_CODECATALYST / $AWS_ENDPOINT_URL precedence."""

import os

import clitest as c
from clitest import h


class TestTrust(c.CliCase):
    TLS = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_dir = h.work_dir("other-ca")
        cls.other_ca = h.ccat_emulator.ensure_certs(cls.other_dir)["ca"]
        # Same CA, certificate for another name only.
        cls.wrong = h.EmulatorProcess(tls=True, san="DNS:wrong.invalid").start()

    @classmethod
    def tearDownClass(cls):
        cls.wrong.stop()
        h.remove_tree(cls.other_dir)
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.wrong.reset()

    def assert_tls_refused(self, res, emu=None):
        emu = emu or self.emu
        self.assert_rc(res, c.EXIT_FAILURE)
        self.assertEqual(res.out, b"")
        self.assertNotEqual(res.err.strip(), b"")
        self.assertNotIn(b"An error occurred (", res.err)
        self.assert_failure_kind(res, "CCAT_ERR_TLS_CERT")
        self.assert_no_token(res)
        self.assertEqual(emu.requests(), [], "a request went out over an unverified channel")
        conns = emu.connections()
        self.assertGreaterEqual(len(conns), 1, "the CLI never tried")
        for conn in conns:
            self.assertNotEqual(conn["handshake"], "ok", conn)

    def test_wrong_ca_option(self):
        res = c.run_cli(["create-access-token", "--name", "x", "--endpoint-url", self.emu.url(),
                         "--ca-bundle", self.other_ca])
        self.assert_tls_refused(res)

    def test_wrong_ca_environment(self):
        res = c.run_cli(["create-access-token", "--name", "x", "--endpoint-url", self.emu.url()],
                        env=c.clean_env(AWS_CA_BUNDLE=self.other_ca))
        self.assert_tls_refused(res)

    def test_no_ca_given_builtin_roots_refuse_test_ca(self):
        res = c.run_cli(["create-access-token", "--name", "x", "--endpoint-url", self.emu.url()])
        self.assert_tls_refused(res)

    def test_ca_option_beats_environment(self):
        res = c.run_cli(["create-access-token", "--name", "x", "--endpoint-url", self.emu.url(),
                         "--ca-bundle", self.emu.ca], env=c.clean_env(AWS_CA_BUNDLE=self.other_ca))
        self.assert_success(res, self.one_request())
        self.emu.reset()
        res = c.run_cli(["create-access-token", "--name", "x", "--endpoint-url", self.emu.url(),
                         "--ca-bundle", self.other_ca], env=c.clean_env(AWS_CA_BUNDLE=self.emu.ca))
        self.assert_tls_refused(res)

    def test_ca_bundle_with_several_certificates(self):
        bundle = os.path.join(self.other_dir, "bundle.pem")
        with open(bundle, "w") as f, open(self.other_ca) as a, open(self.emu.ca) as b:
            f.write(a.read() + "\n" + b.read())
        res = c.run_cli(["create-access-token", "--name", "x", "--endpoint-url", self.emu.url(),
                         "--ca-bundle", bundle])
        self.assert_success(res, self.one_request())

    def test_host_name_mismatch(self):
        res = c.run_cli(["create-access-token", "--name", "x", "--endpoint-url", self.wrong.url(),
                         "--ca-bundle", self.wrong.ca])
        self.assert_tls_refused(res, self.wrong)

    def test_ip_not_in_certificate(self):
        """The wrong-name certificate has no IP SAN: 127.0.0.1 must not verify either."""
        res = c.run_cli(["create-access-token", "--name", "x", "--endpoint-url",
                         self.wrong.url(host="127.0.0.1"), "--ca-bundle", self.wrong.ca])
        self.assert_tls_refused(res, self.wrong)


class TestEndpointPrecedence(c.CliCase):
    TLS = False

    def target(self):
        return self.one_request()["target"]

    def test_service_variable_beats_global_variable(self):
        env = c.clean_env(AWS_ENDPOINT_URL_CODECATALYST=self.emu.url(path="/svc"),
                          AWS_ENDPOINT_URL=self.emu.url(path="/global"))
        res = c.run_cli(["create-access-token", "--name", "x"], env=env)
        self.assert_success(res)
        self.assertEqual(self.target(), "/svc/v1/accessTokens")

    def test_global_variable(self):
        env = c.clean_env(AWS_ENDPOINT_URL=self.emu.url(path="/global"))
        res = c.run_cli(["create-access-token", "--name", "x"], env=env)
        self.assert_success(res)
        self.assertEqual(self.target(), "/global/v1/accessTokens")

    def test_option_beats_both_variables(self):
        env = c.clean_env(AWS_ENDPOINT_URL_CODECATALYST=self.emu.url(path="/svc"),
                          AWS_ENDPOINT_URL=self.emu.url(path="/global"))
        res = c.run_cli(["create-access-token", "--name", "x", "--endpoint-url",
                         self.emu.url(path="/flag")], env=env)
        self.assert_success(res)
        self.assertEqual(self.target(), "/flag/v1/accessTokens")


class TestCaEnvironmentOnly(c.CliCase):
    TLS = True

    def test_aws_ca_bundle_and_endpoint_from_environment(self):
        env = c.clean_env(AWS_CA_BUNDLE=self.emu.ca, AWS_ENDPOINT_URL_CODECATALYST=self.emu.url())
        res = c.run_cli(["create-access-token", "--name", "env-only"], env=env)
        e = self.one_request()
        self.assert_success(res, e, name="env-only")
        self.assert_wire(e, "env-only")


if __name__ == "__main__":
    c.main()
