// SPDX-License-Identifier: GPL-2.0-or-later

// nats-mint: the keys and JWTs of a NATS server in operator mode, for the
// tests (what `nsc` makes, which Debian does not package):
//
//	nats-mint [-sys] DIR USER [-pub SUBJECT]... [-sub SUBJECT]... [USER ...]
//
// writes into DIR an operator (operator.nk, operator.jwt), one account
// FLEET with JetStream and no limits (account.nk, account.jwt), with -sys
// the system account SYS, and per USER a user of FLEET allowed to publish
// and subscribe only to the subjects given after it (USER.creds, the
// standard credentials file: user JWT and nkey seed). DIR/server.conf is
// the server's part: operator, system account, and the accounts preloaded
// into a memory resolver. Every run makes new keys: two runs are two
// operators that do not trust each other.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nkeys"
)

type user struct {
	name     string
	pub, sub []string
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: nats-mint [-sys] DIR USER [-pub SUBJECT]... [-sub SUBJECT]... [USER ...]")
	os.Exit(2)
}

func fail(what string, err error) {
	fmt.Fprintf(os.Stderr, "nats-mint: %s: %v\n", what, err)
	os.Exit(1)
}

// parse reads the command line by hand: the flag package cannot tie
// -pub and -sub to the USER before them.
func parse(args []string) (sys bool, dir string, users []*user) {
	if len(args) > 0 && args[0] == "-sys" {
		sys = true
		args = args[1:]
	}
	if len(args) < 2 {
		usage()
	}
	dir = args[0]
	for i := 1; i < len(args); i++ {
		switch a := args[i]; a {
		case "-pub", "-sub":
			if len(users) == 0 || i+1 == len(args) || args[i+1] == "" {
				usage()
			}
			u := users[len(users)-1]
			if a == "-pub" {
				u.pub = append(u.pub, args[i+1])
			} else {
				u.sub = append(u.sub, args[i+1])
			}
			i++
		default:
			// A user's name is its file's name: no paths.
			if a == "" || strings.HasPrefix(a, "-") || strings.ContainsAny(a, "/ ") {
				usage()
			}
			users = append(users, &user{name: a})
		}
	}
	return
}

func write(dir, name string, data []byte) {
	// Seeds and credentials are secrets: 0600 like nsc's.
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
		fail(name, err)
	}
}

func key(create func() (nkeys.KeyPair, error), dir, name string) (nkeys.KeyPair, string) {
	kp, err := create()
	if err != nil {
		fail(name, err)
	}
	pub, err := kp.PublicKey()
	if err != nil {
		fail(name, err)
	}
	if dir != "" {
		seed, err := kp.Seed()
		if err != nil {
			fail(name, err)
		}
		write(dir, name+".nk", append(seed, '\n'))
	}
	return kp, pub
}

// account: an account's JWT signed by the operator; JetStream needs
// limits other than zero to be enabled, -1 is unlimited.
func account(op nkeys.KeyPair, pub, name string, js bool) string {
	ac := jwt.NewAccountClaims(pub)
	ac.Name = name
	if js {
		ac.Limits.JetStreamLimits = jwt.JetStreamLimits{
			MemoryStorage: -1, DiskStorage: -1, Streams: -1, Consumer: -1,
		}
	}
	tok, err := ac.Encode(op)
	if err != nil {
		fail("account "+name, err)
	}
	return tok
}

func main() {
	sys, dir, users := parse(os.Args[1:])
	if err := os.MkdirAll(dir, 0o700); err != nil {
		fail(dir, err)
	}
	op, opPub := key(nkeys.CreateOperator, dir, "operator")
	acct, acctPub := key(nkeys.CreateAccount, dir, "account")
	accounts := map[string]string{acctPub: account(op, acctPub, "FLEET", true)}

	oc := jwt.NewOperatorClaims(opPub)
	oc.Name = "slaguard-test"
	sysPub := ""
	if sys {
		_, sysPub = key(nkeys.CreateAccount, dir, "sys")
		accounts[sysPub] = account(op, sysPub, "SYS", false)
		oc.SystemAccount = sysPub
	}
	opJWT, err := oc.Encode(op)
	if err != nil {
		fail("operator", err)
	}
	write(dir, "operator.jwt", []byte(opJWT+"\n"))
	write(dir, "account.jwt", []byte(accounts[acctPub]+"\n"))

	for _, u := range users {
		ukp, upub := key(nkeys.CreateUser, "", u.name)
		uc := jwt.NewUserClaims(upub)
		uc.Name = u.name
		uc.Permissions.Pub.Allow.Add(u.pub...)
		uc.Permissions.Sub.Allow.Add(u.sub...)
		tok, err := uc.Encode(acct)
		if err != nil {
			fail("user "+u.name, err)
		}
		seed, err := ukp.Seed()
		if err != nil {
			fail("user "+u.name, err)
		}
		creds, err := jwt.FormatUserConfig(tok, seed)
		if err != nil {
			fail("user "+u.name, err)
		}
		write(dir, u.name+".creds", creds)
	}

	var conf strings.Builder
	fmt.Fprintf(&conf, "operator: %q\n", opJWT)
	if sys {
		fmt.Fprintf(&conf, "system_account: %s\n", sysPub)
	}
	conf.WriteString("resolver: MEMORY\nresolver_preload: {\n")
	for pub, tok := range accounts {
		fmt.Fprintf(&conf, "  %s: %q\n", pub, tok)
	}
	conf.WriteString("}\n")
	write(dir, "server.conf", []byte(conf.String()))
}
