#!/bin/sh
# Make the throw-away PKI of the TLS port tests in OUTDIR (the build dir).
#   ca.pem/ca.der        test CA "ccat test CA" (trusted by the tests)
#   server.pem/.key      localhost, SAN DNS:localhost IP:127.0.0.1 IP:::1, by ca
#   other.pem/.key       other.test only, by ca (wrong host for "localhost")
#   iponly.pem/.key      SAN IP:127.0.0.1 only, by ca
#   dnsonly.pem/.key     SAN DNS:localhost only, by ca (no IP SAN)
#   iptext.pem/.key      CN and SAN DNS:127.0.0.1 (the address as text), by ca
#   ipcn.pem/.key        CN 127.0.0.1 and no SAN extension at all, by ca
#   ip2.pem/.key         SAN IP:127.0.0.2 only, by ca
#   mapped.pem/.key      SAN IP:::ffff:127.0.0.1 only (16 bytes), by ca
#   rogue-ca.pem         a second CA nobody trusts
#   rogue.pem/.key       localhost, by rogue-ca (untrusted chain)
# EC P-256 keys (fast to make, supported by mbedTLS 2.28 and Python's ssl).
set -eu
out=$1
mkdir -p "$out"
cd "$out"

newkey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

mkca() { # name cn
    newkey "$1.key"
    openssl req -x509 -new -key "$1.key" -subj "/CN=$2" -days 30 -sha256 \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$1.pem"
}

mkleaf() { # name cn san ca  (san "-": no subjectAltName extension)
    newkey "$1.key"
    openssl req -new -key "$1.key" -subj "/CN=$2" -out "$1.csr"
    printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' \
        > "$1.ext"
    if [ "$3" != "-" ]; then
        printf 'subjectAltName=%s\n' "$3" >> "$1.ext"
    fi
    openssl x509 -req -in "$1.csr" -CA "$4.pem" -CAkey "$4.key" -CAcreateserial \
        -days 30 -sha256 -extfile "$1.ext" -out "$1.pem" 2>/dev/null
    rm -f "$1.csr" "$1.ext"
}

mkca ca "ccat test CA"
openssl x509 -in ca.pem -outform DER -out ca.der
mkca rogue-ca "ccat rogue CA"
mkleaf server localhost "DNS:localhost,IP:127.0.0.1,IP:::1" ca
mkleaf other other.test "DNS:other.test" ca
mkleaf iponly 127.0.0.1 "IP:127.0.0.1" ca
mkleaf dnsonly localhost "DNS:localhost" ca
mkleaf iptext 127.0.0.1 "DNS:127.0.0.1" ca
mkleaf ipcn 127.0.0.1 - ca
mkleaf ip2 127.0.0.2 "IP:127.0.0.2" ca
mkleaf mapped 127.0.0.1 "IP:::ffff:127.0.0.1" ca
mkleaf rogue localhost "DNS:localhost,IP:127.0.0.1" rogue-ca
echo "test certificates in $out"
