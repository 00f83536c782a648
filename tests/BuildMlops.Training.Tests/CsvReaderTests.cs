using BuildMlops.Data;
using BuildMlops.Diagnostics;
using NUnit.Framework;

namespace BuildMlops.Training.Tests;

[TestFixture]
public sealed class CsvReaderTests
{
    [Test]
    public void GivenQuotedFieldsWithSeparatorsQuotesAndLineBreaks_WhenParsed_ThenFieldsAndLinesAreRight()
    {
        var table = CsvReader.Parse("\uFEFFa,b\r\n\"x, y\",\"say \"\"hi\"\"\"\r\n\"two\nlines\",3\n4,5\n", "f.csv", "f.csv", ',');

        Assert.That(table.Header, Is.EqualTo(new[] { "a", "b" }));
        Assert.That(table.Records.Select(record => record.Fields), Is.EqualTo(new[]
        {
            new[] { "x, y", "say \"hi\"" },
            new[] { "two\nlines", "3" },
            new[] { "4", "5" },
        }));
        Assert.That(table.Records.Select(record => record.Line), Is.EqualTo(new[] { 2, 3, 5 }));
    }

    [Test]
    public void GivenARowWithTooFewFields_WhenParsed_ThenBM1005NamesItsLine()
    {
        var error = Assert.Throws<MlopsException>(() => CsvReader.Parse("a,b\n1,2\n3\n", "/d/f.csv", "f.csv", ','))!;

        Assert.That(error.Code, Is.EqualTo("BM1005"));
        Assert.That(error.Location, Is.EqualTo(new SourceLocation("/d/f.csv", 3, 1)));
        Assert.That(error.Message, Is.EqualTo("record has 1 fields but the header has 2"));
    }

    [Test]
    public void GivenAnUnclosedQuote_WhenParsed_ThenBM1005NamesWhereItOpened()
    {
        var error = Assert.Throws<MlopsException>(() => CsvReader.Parse("a,b\n1,\"2\n3,4\n", "f.csv", "f.csv", ','))!;

        Assert.That(error.Code, Is.EqualTo("BM1005"));
        Assert.That(error.Location.Line, Is.EqualTo(2));
    }

    [TestCase("")]
    [TestCase("\n\n")]
    public void GivenNoHeader_WhenParsed_ThenBM1002(string text)
    {
        var error = Assert.Throws<MlopsException>(() => CsvReader.Parse(text, "f.csv", "f.csv", ','))!;

        Assert.That(error.Code, Is.EqualTo("BM1002"));
    }
}
