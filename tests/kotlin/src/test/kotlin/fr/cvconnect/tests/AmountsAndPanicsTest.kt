package fr.cvconnect.tests

import fr.ancv.cvconnect.CvException
import fr.ancv.cvconnect.cvconnectSelftestPanic
import fr.ancv.cvconnect.cvconnectSelftestPanicAsync
import fr.ancv.cvconnect.formatAmountFr
import fr.ancv.cvconnect.parseAmount
import fr.ancv.cvconnect.testkit.eur
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import java.math.BigDecimal
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertTrue

private const val UNEXPECTED_FR = "Une erreur inattendue est survenue. Veuillez réessayer."

/** Amounts are exact BigDecimals; a Rust panic is a CvException like any other error. */
class AmountsAndPanicsTest {
    @Test
    fun `amounts are formatted the French way`() {
        // Narrow no-break space between digit groups, no-break space before the euro sign.
        assertEquals("1\u202F234,50\u00A0€", formatAmountFr(BigDecimal("1234.5")))
        assertEquals("1\u202F234,56\u00A0€", formatAmountFr(eur("1234.56")))
        assertEquals("0,05\u00A0€", formatAmountFr(eur("0.05")))
        assertEquals("20,00\u00A0€", formatAmountFr(BigDecimal(20)))
        assertEquals("12,50\u00A0€", formatAmountFr(BigDecimal("12.500")), "trailing zeros are not decimals")
    }

    @Test
    fun `more than two decimals or a negative amount is InvalidAmount`() {
        val tooPrecise = assertFailsWith<CvException.InvalidAmount> { formatAmountFr(BigDecimal("12.345")) }
        assertEquals("Le montant ne peut pas avoir plus de deux chiffres après la virgule.", tooPrecise.message)
        val negative = assertFailsWith<CvException.InvalidAmount> { formatAmountFr(BigDecimal("-1.00")) }
        assertEquals("Le montant ne peut pas être négatif.", negative.message)
    }

    @Test
    fun `parsed amounts are exact with two decimals`() {
        val amount = parseAmount("12,5")
        assertEquals(BigDecimal("12.50"), amount)
        assertEquals(2, amount.scale())
        assertEquals(0, BigDecimal("12.5").compareTo(amount))
        assertEquals(BigDecimal("0.10"), parseAmount("0,1"), "no float on the way: 0.1 stays 0.10")
    }

    @Test
    fun `a Rust panic is CvException Unexpected, not a crash`() {
        val error = assertFailsWith<CvException.Unexpected> { cvconnectSelftestPanic("from kotlin") }
        assertTrue("from kotlin" in error.detail, error.detail)
        assertEquals(UNEXPECTED_FR, error.message)
        assertFalse(error.isRetryable())
        // The library is still usable afterwards.
        assertEquals("20,00\u00A0€", formatAmountFr(eur("20.00")))
    }

    @Test
    fun `a Rust panic in an async call is CvException Unexpected too`() = runBlocking {
        val error = assertFailsWith<CvException.Unexpected> { cvconnectSelftestPanicAsync("from a coroutine") }
        assertTrue("from a coroutine" in error.detail, error.detail)
        assertEquals(UNEXPECTED_FR, error.message)
        assertEquals(eur("20.00"), parseAmount("20"))
    }
}
