"""Django mappings of the shared tables; infra/schema.sql owns them, nothing here creates them."""

from __future__ import annotations

from django.db import models
from django.db.models import Func, Q
from django.db.models.functions import Now

# The database owns every referential action (ON DELETE CASCADE in schema.sql).
_DB_OWNED = models.DO_NOTHING


class User(models.Model):
    id = models.BigAutoField(primary_key=True)
    email = models.CharField(max_length=200, unique=True)
    password = models.CharField(max_length=256)
    is_active = models.BooleanField(db_default=True)
    created_dtm = models.DateTimeField(db_default=Now())

    class Meta:
        managed = False
        db_table = "tb_auth_user"


class Product(models.Model):
    id = models.BigAutoField(primary_key=True)
    name = models.CharField(max_length=100)
    is_displayed = models.BooleanField(db_default=True)
    created_dtm = models.DateTimeField(db_default=Now())
    updated_dtm = models.DateTimeField(db_default=Now())

    class Meta:
        managed = False
        db_table = "tb_product"


class TransactionNow(Func):
    """PostgreSQL's now(); Django's Now() renders STATEMENT_TIMESTAMP() there."""

    template = "now()"
    output_field = models.DateTimeField()


class ProductItemQuerySet(models.QuerySet["ProductItem"]):
    def on_sale(self) -> ProductItemQuerySet:
        """Items whose sale window is open at the database's now()."""
        return self.filter(
            Q(sale_start_dtm__isnull=True) | Q(sale_start_dtm__lte=TransactionNow()),
            Q(sale_close_dtm__isnull=True) | Q(sale_close_dtm__gt=TransactionNow()),
        )


class ProductItem(models.Model):
    id = models.BigAutoField(primary_key=True)
    product = models.ForeignKey(Product, on_delete=_DB_OWNED, related_name="items")
    name = models.CharField(max_length=100)
    cost = models.BigIntegerField()
    price = models.BigIntegerField()
    is_active = models.BooleanField(db_default=True)
    sale_start_dtm = models.DateTimeField(null=True)
    sale_close_dtm = models.DateTimeField(null=True)
    item_quantity = models.IntegerField()
    sold_quantity = models.IntegerField(db_default=0)
    created_dtm = models.DateTimeField(db_default=Now())
    updated_dtm = models.DateTimeField(db_default=Now())

    objects = ProductItemQuerySet.as_manager()

    class Meta:
        managed = False
        db_table = "tb_product_item"


class Order(models.Model):
    id = models.BigAutoField(primary_key=True)
    order_number = models.CharField(max_length=100, unique=True)
    user = models.ForeignKey(User, on_delete=_DB_OWNED, related_name="orders")
    product = models.ForeignKey(Product, on_delete=_DB_OWNED, related_name="orders")
    status = models.CharField(max_length=10)
    total_price = models.BigIntegerField()
    created_dtm = models.DateTimeField(db_default=Now())

    class Meta:
        managed = False
        db_table = "tb_order"


class OrderItem(models.Model):
    id = models.BigAutoField(primary_key=True)
    order = models.ForeignKey(Order, on_delete=_DB_OWNED, related_name="items")
    item = models.ForeignKey(ProductItem, on_delete=_DB_OWNED, related_name="order_items")
    quantity = models.IntegerField()
    price = models.BigIntegerField()
    created_dtm = models.DateTimeField(db_default=Now())

    class Meta:
        managed = False
        db_table = "tb_order_item"
