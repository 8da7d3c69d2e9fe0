/*
 * test_analyse_helpers.c - dvec_quantile: its sort (a radix sort on the
 * doubles' bits above 256 values, qsort below) leaves the vector in
 * ascending order, as gsl_sort did, and the quantiles are GSL's on it.
 */
#include "analyse/analyse_internal.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* 1..n in a scrambled order (a multiplier prime to n) */
static void fill_scrambled(dvec_t *d, size_t n)
{
    for (size_t i = 0; i < n; i++)
        cr_assert(dvec_push(d, (double)((i * 7919) % n + 1)));
}

Test(dvec, quantiles_of_one_to_n_by_hand)
{
    static const size_t sizes[] = { 10, 1000 }; /* below and above the radix sort's threshold */
    for (size_t k = 0; k < 2; k++) {
        dvec_t d = { 0 };
        fill_scrambled(&d, sizes[k]);
        double n = (double)sizes[k];
        /* GSL's rule: index f (n - 1), linear between the two around it */
        cr_assert_float_eq(dvec_quantile(&d, 0.5), (n + 1) / 2, 1e-12, "n %zu", sizes[k]);
        cr_assert_float_eq(dvec_quantile(&d, 0.9), 1 + 0.9 * (n - 1), 1e-9, "n %zu", sizes[k]);
        cr_assert_eq(dvec_quantile(&d, 0.0), 1.0);
        cr_assert_eq(dvec_quantile(&d, 1.0), n);
        for (size_t i = 0; i < d.n; i++)
            cr_assert_eq(d.v[i], (double)(i + 1), "n %zu: v[%zu] = %g", sizes[k], i, d.v[i]);
        dvec_free(&d);
    }
    /* 1000: index 899.1 lies between 900 and 901 */
    dvec_t d = { 0 };
    fill_scrambled(&d, 1000);
    cr_assert_float_eq(dvec_quantile(&d, 0.9), 900.1, 1e-9);
    dvec_free(&d);
}

Test(dvec, sorted_as_qsort_sorts_with_signs_and_extremes)
{
    /* negatives, fractions, duplicates, tiny and huge magnitudes, infinities */
    dvec_t d = { 0 };
    unsigned s = 12345;
    for (size_t i = 0; i < 50000; i++) {
        s = s * 1103515245u + 12345u;
        double x = ((double)(s >> 8) - 8388608.0) / 64.0;
        if (i % 97 == 0)
            x = ldexp(x, (int)(s % 600) - 300);
        if (i % 1001 == 0)
            x = i % 2 ? INFINITY : -INFINITY;
        if (i % 13 == 0)
            x = 42.5;
        cr_assert(dvec_push(&d, x));
    }
    double *want = malloc(d.n * sizeof *want);
    memcpy(want, d.v, d.n * sizeof *want);
    qsort(want, d.n, sizeof *want, cmp);
    double p90 = dvec_quantile(&d, 0.9);
    cr_assert_eq(memcmp(d.v, want, d.n * sizeof *want), 0);
    size_t lhs = (size_t)(0.9 * (double)(d.n - 1));
    double delta = 0.9 * (double)(d.n - 1) - (double)lhs;
    cr_assert_eq(p90, (1 - delta) * want[lhs] + delta * want[lhs + 1]);
    /* sorted already: unchanged, same answer */
    cr_assert_eq(dvec_quantile(&d, 0.9), p90);
    cr_assert_eq(memcmp(d.v, want, d.n * sizeof *want), 0);
    free(want);
    dvec_free(&d);
}
