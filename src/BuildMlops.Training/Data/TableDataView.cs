using BuildMlops.Spec;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace BuildMlops.Data;

/// <summary>
/// <see cref="PreparedData"/> as an ML.NET <see cref="IDataView"/>: one column per feature under its
/// own name (Single or text), plus <c>Label</c>. The model's input schema thus names the data's columns,
/// so code that loads model.zip can feed it plain records.
/// </summary>
public sealed class TableDataView : IDataView
{
    public const string LabelColumn = "Label";
    private readonly PreparedData _data;
    private readonly Delegate[] _getters;

    public TableDataView(PreparedData data)
    {
        _data = data;
        var builder = new DataViewSchema.Builder();
        var getters = new List<Delegate>();
        foreach (var column in data.Features)
        {
            if (column.Type == ColumnType.Numeric)
            {
                builder.AddColumn(column.Name, NumberDataViewType.Single);
                getters.Add(Getter(cursor => column.Numbers[cursor.Row]));
            }
            else
            {
                builder.AddColumn(column.Name, TextDataViewType.Instance);
                getters.Add(Getter(cursor => column.Texts[cursor.Row].AsMemory()));
            }
        }

        switch (data.Task)
        {
            case TaskKind.Binary:
                builder.AddColumn(LabelColumn, BooleanDataViewType.Instance);
                getters.Add(Getter(cursor => data.BinaryLabels[cursor.Row]));
                break;
            case TaskKind.Regression:
                builder.AddColumn(LabelColumn, NumberDataViewType.Single);
                getters.Add(Getter(cursor => data.NumericLabels[cursor.Row]));
                break;
            default:
                builder.AddColumn(LabelColumn, TextDataViewType.Instance);
                getters.Add(Getter(cursor => data.ClassLabels[cursor.Row].AsMemory()));
                break;
        }

        Schema = builder.ToSchema();
        _getters = [.. getters];
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => _data.Count;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(this);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [new Cursor(this)];

    private static Func<Cursor, ValueGetter<T>> Getter<T>(Func<Cursor, T> read) =>
        cursor => (ref T value) => value = read(cursor);

    private sealed class Cursor(TableDataView view) : DataViewRowCursor
    {
        private long _position = -1;

        public int Row => checked((int)_position);

        public override long Position => _position;

        public override long Batch => 0;

        public override DataViewSchema Schema => view.Schema;

        public override bool MoveNext()
        {
            if (_position + 1 < view._data.Count)
            {
                _position++;
                return true;
            }

            _position = view._data.Count;
            return false;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() =>
            (ref DataViewRowId value) => value = new DataViewRowId((ulong)_position, 0);

        public override bool IsColumnActive(DataViewSchema.Column column) => true;

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            var factory = view._getters[column.Index];
            return factory is Func<Cursor, ValueGetter<TValue>> typed
                ? typed(this)
                : throw new InvalidOperationException($"column '{column.Name}' is {column.Type}, not {typeof(TValue).Name}");
        }
    }
}
