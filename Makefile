# mailadm — see README.md.  "make check" installs what the tests need.
PREFIX	?= /usr/local
DESTDIR	?=
BINDIR	 = $(PREFIX)/sbin
MANDIR	 = $(PREFIX)/share/man
DATADIR	 = $(PREFIX)/share/mailadm
COMPDIR	 = $(PREFIX)/share/bash-completion/completions

CC	?= cc
PKGS	 = libmariadb sqlite3 libidn2 libcrypt argtable2 libcrypto
WARN	 = -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wstrict-prototypes \
	   -Wmissing-prototypes -Wno-format-nonliteral
CFLAGS	?= -O2 -g
CPPFLAGS += -D_GNU_SOURCE -Ilib -Icmd
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) $(shell pkg-config --cflags $(PKGS))
# LINK=static (the default) links every library but libc and libidn2 (its
# libunistring has no static archive on Debian) into the binary, position
# independent still: `mailadm --version` takes 5.7 ms instead of 9 (an
# empty program: 2.7), the difference being spent relocating libcrypto and
# libmariadb.  LINK=shared is for a distribution package, whose libraries
# get security updates.
LINK	?= static
STATIC_PKGS = libmariadb sqlite3 libcrypt argtable2 libcrypto
ifeq ($(LINK),shared)
LDLIBS	+= $(shell pkg-config --libs $(PKGS))
else ifeq ($(LINK),static)
LDLIBS	+= $(shell pkg-config --libs-only-L $(STATIC_PKGS)) -Wl,-Bstatic \
	   $(filter-out -ldl -lm -pthread,$(shell pkg-config --static \
	       --libs-only-l $(STATIC_PKGS))) \
	   -Wl,-Bdynamic $(shell pkg-config --libs libidn2) -ldl -lm -pthread
else
$(error LINK must be static or shared, not '$(LINK)')
endif

LIB_SRC	 = $(wildcard lib/*.c)
LIB_OBJ	 = $(LIB_SRC:.c=.o)
CMD_SRC	 = $(wildcard cmd/*.c cmd/*/*.c)
CMD_OBJ	 = $(CMD_SRC:.c=.o)
UNIT_SRC = $(wildcard tests/unit/t-*.c)
UNIT_BIN = $(UNIT_SRC:.c=)
MANPAGES = $(wildcard man/*.8)

all: mailadm

%.o: %.c $(wildcard lib/*.h cmd/*.h)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

# Where the presets of "migrate --preset" are installed.
lib/mapfile.o: CPPFLAGS += -DMA_MAPS_DIR='"$(DATADIR)/maps"'

lib/libmailadm.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $(LIB_OBJ)

mailadm: $(CMD_OBJ) lib/libmailadm.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(CMD_OBJ) lib/libmailadm.a $(LDLIBS)

tests/unit/t-%: tests/unit/t-%.c tests/unit/tap.h lib/libmailadm.a
	$(CC) $(CPPFLAGS) -Itests/unit $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< \
	    lib/libmailadm.a $(LDLIBS)

unit: $(UNIT_BIN)

deps:
	./scripts/install-deps.sh all

deps-build:
	./scripts/install-deps.sh build

# The whole suite: dependencies, a normal build, then again under
# ASan+UBSan, each against SQLite and a private MariaDB server.
check: deps
	./tests/run-all.sh

# One pass with the current build (used by tests/run-all.sh).
check-once: mailadm unit
	./tests/run.sh

demo: deps-build
	$(MAKE) mailadm
	./scripts/demo.sh

# One after the other: they would disturb each other's timings.
bench: mailadm
	./bench/run.sh
	./bench/users.sh
	./bench/quota.sh
	./bench/migrate.sh

bench-users: mailadm
	./bench/users.sh

bench-migrate: mailadm
	./bench/migrate.sh

bench-quota: mailadm
	./bench/quota.sh

install: mailadm
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(COMPDIR) $(DESTDIR)$(DATADIR) $(DESTDIR)$(DATADIR)/maps
	install -m 0755 mailadm $(DESTDIR)$(BINDIR)/mailadm
	install -m 0644 $(MANPAGES) $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 completions/mailadm.bash $(DESTDIR)$(COMPDIR)/mailadm
	install -m 0644 data/mailadm.conf.example $(DESTDIR)$(DATADIR)/
	install -m 0644 data/maps/*.map $(DESTDIR)$(DATADIR)/maps/

clean:
	rm -f mailadm lib/libmailadm.a lib/*.o cmd/*.o cmd/*/*.o $(UNIT_BIN)

.PHONY: all unit deps deps-build check check-once demo bench bench-users bench-quota \
	bench-migrate install clean
