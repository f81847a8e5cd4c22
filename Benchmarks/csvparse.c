/* The parser ceiling for `make bench`: parse the same files with libcsv (the same options as the Swift reader:
 * CSV_STRICT | CSV_STRICT_FINI, 1 MiB reads) and count rows and fields, doing nothing else. */
#include <csv.h>
#include <stdio.h>
#include <stdlib.h>

static unsigned long long fields, rows;
static void on_field(void *s, size_t n, void *data) { (void)s; (void)n; (void)data; fields++; }
static void on_row(int c, void *data) { (void)c; (void)data; rows++; }

int main(int argc, char **argv) {
    static char buffer[1 << 20];
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) { perror(argv[i]); return 66; }
        struct csv_parser p;
        csv_init(&p, CSV_STRICT | CSV_STRICT_FINI);
        size_t n;
        while ((n = fread(buffer, 1, sizeof buffer, f)) > 0) {
            if (csv_parse(&p, buffer, n, on_field, on_row, NULL) != n) {
                fprintf(stderr, "%s: %s\n", argv[i], csv_strerror(csv_error(&p)));
                return 65;
            }
        }
        csv_fini(&p, on_field, on_row, NULL);
        csv_free(&p);
        fclose(f);
    }
    printf("%llu rows, %llu fields\n", rows, fields);
    return 0;
}
